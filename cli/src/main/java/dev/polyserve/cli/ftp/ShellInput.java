package dev.polyserve.cli.ftp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.LineReaderImpl;

/**
 * Where the FTP shell's lines come from: a terminal with line editing and history, or plain lines from a pipe or a
 * script (no echo to suppress, nothing to edit).
 */
interface ShellInput {
    /** The next line after showing {@code prompt}; null at the end of input (Ctrl-D, end of the script). */
    String line(String prompt) throws IOException;

    /** As {@link #line}, not echoed and not kept in the history: a password. */
    String secret(String prompt) throws IOException;

    /** Lines from a terminal through JLine; Ctrl-C at the prompt drops the line being typed, as a shell does. */
    static ShellInput of(LineReader reader) {
        return new ShellInput() {
            @Override
            public String line(String prompt) {
                return read(prompt, null);
            }

            @Override
            public String secret(String prompt) {
                return read(prompt, LineReaderImpl.NULL_MASK);   // echoes nothing, not even stars
            }

            private String read(String prompt, Character mask) {
                while (true) {
                    try {
                        return reader.readLine(prompt, mask);
                    } catch (UserInterruptException e) {
                        // Ctrl-C: a fresh prompt; Ctrl-D or quit leave
                    } catch (EndOfFileException e) {
                        return null;
                    }
                }
            }
        };
    }

    /** Plain lines; prompts go to {@code out}, the typed line is not echoed (the terminal, if any, did that). */
    static ShellInput of(BufferedReader in, PrintStream out) {
        return new ShellInput() {
            @Override
            public String line(String prompt) throws IOException {
                out.print(prompt);
                out.flush();
                return in.readLine();
            }

            @Override
            public String secret(String prompt) throws IOException {
                return line(prompt);
            }
        };
    }
}
