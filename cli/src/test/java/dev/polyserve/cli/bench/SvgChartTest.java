package dev.polyserve.cli.bench;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SvgChartTest {
    static Document parse(String svg) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void isWellFormedSvgWithAxesLabelsAndOneSeriesPerModel() throws Exception {
        SvgChart chart = new SvgChart("Echo <throughput> & more", "connections", "messages/s", true)
                .point("epoll", 10, 50_000).point("epoll", 100, 80_000).point("epoll", 1000, 75_000)
                .point("virtual", 10, 40_000).point("virtual", 100, 60_000)
                .point("select", 10, Double.NaN); // a skipped level is left out, and a series with no point is not drawn

        Document svg = parse(chart.render());

        Element root = svg.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(svg.getElementsByTagName("g")).matches(g -> hasClass(g, "axes"));
        NodeList series = svg.getElementsByTagName("polyline");
        assertThat(series.getLength()).isEqualTo(2);
        String text = root.getTextContent();
        assertThat(text).contains("Echo <throughput> & more", "connections", "messages/s", "epoll", "virtual")
                .doesNotContain("select")
                .contains("10", "100", "1k"); // decade ticks on the log axis
        assertThat(((Element) series.item(0)).getAttribute("points").split(" ")).hasSize(3);
    }

    @Test
    void fixedTicksLabelOnlyTheLevelsAskedForNotAPointMeasuredBesideOne() throws Exception {
        SvgChart chart = new SvgChart("idle cost", "idle connections held", "us", false).xTicks(java.util.List.of(0, 1_000, 5_000))
                .point("select", 0, 10).point("select", 900, 20) // capped at 900, drawn there, no tick of its own
                .point("poll", 0, 10).point("poll", 1_000, 40).point("poll", 5_000, 200);

        Document svg = parse(chart.render());

        java.util.List<String> labels = new java.util.ArrayList<>();
        NodeList texts = svg.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) labels.add(texts.item(i).getTextContent());
        assertThat(labels).contains("0", "1k", "5k").doesNotContain("900");
        assertThat(svg.getElementsByTagName("polyline").getLength()).isEqualTo(2);
    }

    @Test
    void anEmptyChartIsStillAValidDocument() throws Exception {
        Document svg = parse(new SvgChart("nothing", "x", "y", false).render());
        assertThat(svg.getElementsByTagName("polyline").getLength()).isZero();
    }

    @Test
    void yAxisEndsOnARoundNumber() {
        assertThat(SvgChart.niceCeiling(73_000)).isEqualTo(100_000);
        assertThat(SvgChart.niceCeiling(1_500)).isEqualTo(2_000);
        assertThat(SvgChart.niceCeiling(0.3)).isEqualTo(0.5);
        assertThat(SvgChart.human(1_500)).isEqualTo("1.5k");
        assertThat(SvgChart.human(2_000_000)).isEqualTo("2M");
    }

    private static boolean hasClass(NodeList nodes, String cls) {
        for (int i = 0; i < nodes.getLength(); i++) if (((Element) nodes.item(i)).getAttribute("class").equals(cls)) return true;
        return false;
    }
}
