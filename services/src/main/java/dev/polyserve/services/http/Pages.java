package dev.polyserve.services.http;

/**
 * The HTML the server writes itself (error pages, directory listings), in the bundled welcome site's look: its
 * colours, font and card, with the style inline so a page stands alone on any site.
 */
final class Pages {
    private Pages() {}

    private static final String STYLE = """
            :root{--ink:#1d2733;--muted:#5b6878;--accent:#0b7a75;--bg:#eef3f6}
            *{box-sizing:border-box}
            body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
            header{padding:1.5rem max(1.5rem,calc(50% - 30rem));background:linear-gradient(120deg,#0b7a75,#14508c);color:#fff}
            header h1{margin:0;font-size:1.6rem;overflow-wrap:anywhere}
            main{padding:1.5rem max(1.5rem,calc(50% - 30rem))}
            .card{background:#fff;border-radius:12px;padding:1.25rem 1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.08);overflow-x:auto}
            table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
            th{text-align:left;color:var(--muted);font-weight:600}
            th,td{padding:.3rem 1rem .3rem 0;white-space:nowrap}
            td.size,th.size{text-align:right}
            a{color:var(--accent)}
            footer{text-align:center;color:var(--muted);padding:1rem 0 2rem;font-size:.9rem}
            """;

    /** A whole page: {@code title} (already HTML-safe) as its heading, {@code bodyHtml} in a card. */
    static String page(String title, String bodyHtml) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + title + "</title>\n<style>"
                + STYLE + "</style></head>\n<body><header><h1>" + title + "</h1></header>\n<main><div class=\"card\">\n"
                + bodyHtml + "\n</div></main>\n<footer>polyserve</footer></body></html>\n";
    }
}
