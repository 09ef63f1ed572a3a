package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpAppTest {
    private final HttpApp app = new HttpApp()
            .get("/api/time", req -> Response.text("t"))
            .get("/api/users/{id}", req -> Response.text("u"))
            .delete("/api/users/{id}", req -> Response.status(204))
            .get("/api/users/{id}/posts/{post}", req -> Response.text("p"));

    @Test
    void literalAndPatternedRoutes() {
        assertThat(app.match("GET", "/api/time")).isInstanceOf(HttpApp.Found.class);
        assertThat(app.match("GET", "/api/time/")).isInstanceOf(HttpApp.Found.class);
        assertThat(((HttpApp.Found) app.match("GET", "/api/users/42")).params()).isEqualTo(Map.of("id", "42"));
        assertThat(((HttpApp.Found) app.match("GET", "/api/users/a/posts/b")).params()).isEqualTo(Map.of("id", "a", "post", "b"));
        assertThat(app.match("GET", "/api/users")).isEqualTo(HttpApp.NoRoute.INSTANCE);
        assertThat(app.match("GET", "/api/users/1/2")).isEqualTo(HttpApp.NoRoute.INSTANCE);
        assertThat(app.match("GET", "/")).isEqualTo(HttpApp.NoRoute.INSTANCE);
    }

    @Test
    void headUsesGetAndWrongMethodsListAllow() {
        assertThat(app.match("HEAD", "/api/users/1")).isInstanceOf(HttpApp.Found.class);
        assertThat(app.match("PUT", "/api/users/1")).isEqualTo(new HttpApp.MethodNotAllowed(
                new java.util.LinkedHashSet<>(java.util.List.of("GET", "HEAD", "DELETE"))));
        assertThat(((HttpApp.MethodNotAllowed) app.match("POST", "/api/time")).allow()).containsExactly("GET", "HEAD");
    }

    @Test
    void badRoutesAreRefusedAtDeclaration() {
        assertThatThrownBy(() -> app.get("api/x", req -> null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> app.route("G T", "/x", HttpApp.Dispatch.EVENT_LOOP, req -> null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void responsesRefuseHeaderInjection() {
        assertThatThrownBy(() -> Response.text("x").header("X-A", "a\r\nSet-Cookie: evil"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Response.text("x").header("Content-Length", "5")).isInstanceOf(IllegalArgumentException.class);
    }
}
