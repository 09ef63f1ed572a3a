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
    void aNegativeBarIsRefusedAndAnEmptyChartIsStillADocument() throws Exception {
        assertThatThrownBy(() -> new SvgBars("t", "x").bar("a", -1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SvgChartTest.parse(new SvgBars("nothing", "x").render()).getDocumentElement().getLocalName()).isEqualTo("svg");
    }
}
