package dev.polyserve.cli.bench;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SvgBarsTest {
    @Test
    void oneBarPerLabelWithItsTextAndWidthsInProportion() throws Exception {
        String svg = new SvgBars("Idle <CPU> & more", "% of a core").bar("nonblocking", 40, "40 %").bar("epoll", 10, null)
                .bar("skipped", Double.NaN, "never drawn").render();

        Document doc = SvgChartTest.parse(svg);
        NodeList bars = doc.getElementsByTagName("g");
        Element first = null, second = null;
        for (int i = 0; i < bars.getLength(); i++) {
            Element g = (Element) bars.item(i);
            if (g.getAttribute("data-name").equals("nonblocking")) first = g;
            if (g.getAttribute("data-name").equals("epoll")) second = g;
        }
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        double w1 = Double.parseDouble(((Element) first.getElementsByTagName("rect").item(0)).getAttribute("width"));
        double w2 = Double.parseDouble(((Element) second.getElementsByTagName("rect").item(0)).getAttribute("width"));
        assertThat(w1 / w2).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
        String text = doc.getDocumentElement().getTextContent();
        assertThat(text).contains("Idle <CPU> & more", "% of a core", "40 %", "10").doesNotContain("never drawn");
        assertThat(svg).doesNotContain("<script").contains("font-family=\"sans-serif\"");
    }

    @Test
    void aLogAxisTicksDecadesAndKeepsTheSmallBarsVisible() throws Exception {
        String svg = new SvgBars("Memory", "KiB per connection", true).bar("virtual", 10, "10 KiB").bar("threads", 1_000, null)
                .bar("process", 100_000, null).render();

        Document doc = SvgChartTest.parse(svg);
        double virtual = barWidth(doc, "virtual"), threads = barWidth(doc, "threads"), process = barWidth(doc, "process");
        // The axis runs from 1 to 100k (the smallest value is 10, not within 2x of a decade below): 1, 3 and 5 decades.
        assertThat(threads / virtual).isCloseTo(3.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(process / virtual).isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(doc.getDocumentElement().getTextContent()).contains("KiB per connection (log scale)", "1", "10", "100", "1k", "10k", "100k");
        assertThat(SvgBars.logBottom(1.5, 1_000)).isEqualTo(0.1); // 1.5 is within 2x of 1: one decade lower, so its bar shows
        assertThat(SvgBars.logBottom(6.7, 100_000)).isEqualTo(1);
        assertThat(SvgBars.logTop(87_169)).isEqualTo(100_000);
        assertThat(SvgBars.logTop(1_000)).isEqualTo(1_000);
        assertThat(SvgChartTest.parse(new SvgBars("zero", "x", true).bar("idle", 0, "0 KiB").render()).getDocumentElement().getTextContent())
                .contains("0 KiB");
    }

    private static double barWidth(Document doc, String name) {
        NodeList groups = doc.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("data-name").equals(name)) return Double.parseDouble(((Element) g.getElementsByTagName("rect").item(0)).getAttribute("width"));
        }
        throw new AssertionError("no bar " + name);
    }

    @Test
    void aNegativeBarIsRefusedAndAnEmptyChartIsStillADocument() throws Exception {
        assertThatThrownBy(() -> new SvgBars("t", "x").bar("a", -1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SvgChartTest.parse(new SvgBars("nothing", "x").render()).getDocumentElement().getLocalName()).isEqualTo("svg");
    }
}
