package dev.polyserve.cli;

import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Terminal;

/**
 * The line editing the interactive clients share ({@code polyserve chat}, {@code polyserve ftp}): JLine's emacs-style
 * keys, and the up arrow recalling earlier lines of the session. Lines typed behind a mask (a password) are never
 * kept in the history: JLine leaves masked lines out.
 */
public final class LineEditor {
    /** Lines the up arrow can recall in one session. */
    public static final int HISTORY_SIZE = 500;

    private LineEditor() {}

    /** A reader on {@code terminal}; {@code appName} names the application to JLine's {@code inputrc} handling. */
    public static LineReader reader(Terminal terminal, String appName) {
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName(appName)
                .variable(LineReader.HISTORY_SIZE, HISTORY_SIZE).build();
        reader.setOpt(LineReader.Option.INSERT_TAB);   // no completion is offered: a tab is just a character
        // No csh-style history expansion: it would turn "!!" in a chat line into the previous line, and it drops the
        // backslash of every escape (my\ file.txt), which the FTP shell's own word splitting needs to see.
        reader.setOpt(LineReader.Option.DISABLE_EVENT_EXPANSION);
        return reader;
    }
}
