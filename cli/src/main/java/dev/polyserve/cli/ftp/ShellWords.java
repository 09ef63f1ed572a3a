package dev.polyserve.cli.ftp;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a shell command line into words the way a POSIX shell does for the cases people type: blanks separate
 * words; {@code "double quotes"} keep blanks and let a backslash escape {@code "} and {@code \}; {@code 'single
 * quotes'} keep everything as it is; outside quotes a backslash makes the next character literal ({@code my\ file}).
 * So {@code get "my file.txt" 'copy of it.txt'} and {@code get my\ file.txt} both name {@code my file.txt}.
 */
final class ShellWords {
    private ShellWords() {}

    /** The words of {@code line}; an unclosed quote or a trailing backslash is refused with where it went wrong. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            switch (c) {
                case ' ', '\t' -> {
                    if (inWord) {
                        words.add(word.toString());
                        word.setLength(0);
                        inWord = false;
                    }
                }
                case '\\' -> {
                    if (++i == line.length()) throw new IllegalArgumentException("a backslash at the end of the line escapes nothing");
                    word.append(line.charAt(i));
                    inWord = true;
                }
                case '\'' -> {
                    int end = line.indexOf('\'', i + 1);
                    if (end < 0) throw new IllegalArgumentException("unclosed ' (column " + (i + 1) + ")");
                    word.append(line, i + 1, end);
                    i = end;
                    inWord = true;
                }
                case '"' -> {
                    int start = i;
                    for (i++; i < line.length() && line.charAt(i) != '"'; i++) {
                        char d = line.charAt(i);
                        // Inside double quotes only \" and \\ are escapes (POSIX also has \$ and \`, which mean nothing here).
                        if (d == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) d = line.charAt(++i);
                        word.append(d);
                    }
                    if (i == line.length()) throw new IllegalArgumentException("unclosed \" (column " + (start + 1) + ")");
                    inWord = true;
                }
                default -> {
                    word.append(c);
                    inWord = true;
                }
            }
        }
        if (inWord) words.add(word.toString());
        return words;
    }

    /** {@code name} as one word for a command line: quoted when it has blanks, quotes or backslashes. */
    static String quote(String name) {
        if (!name.isEmpty() && name.chars().noneMatch(c -> c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\\')) return name;
        return "'" + name.replace("'", "'\\''") + "'";
    }
}
