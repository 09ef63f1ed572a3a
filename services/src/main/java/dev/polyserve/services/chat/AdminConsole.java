package dev.polyserve.services.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server operator's console: every line typed on it (stdin) goes to all members as {@code [admin] text}. */
public final class AdminConsole {
    private static final Logger log = LoggerFactory.getLogger(AdminConsole.class);

    private AdminConsole() {}

    /**
     * Reads {@code in} on a daemon thread until it ends, announcing each non-blank line through {@code chat}.
     * Control characters are removed, so the console cannot send terminal escapes to the members.
     */
    public static Thread start(InputStream in, ChatService chat) {
        Thread t = Thread.ofPlatform().daemon().name("chat-admin-console").unstarted(() -> run(in, chat));
        t.start();
        return t;
    }

    static void run(InputStream in, ChatService chat) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                String text = line.codePoints().filter(cp -> cp == '\t' || !Character.isISOControl(cp))
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip();
                int max = chat.limits().maxLineBytes();
                if (text.isEmpty()) continue;
                if (ChatService.utf8(text).length > max) {
                    log.warn("chat console: announcement longer than {} bytes not sent", max);
                    continue;
                }
                log.info("chat console: announcing: {}", text);
                chat.announce(text);
            }
        } catch (IOException e) {
            log.warn("chat console: stdin failed ({}); console announcements are off", e.toString());
        }
    }
}
