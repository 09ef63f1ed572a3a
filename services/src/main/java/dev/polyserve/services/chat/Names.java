package dev.polyserve.services.chat;

import java.util.Locale;
import java.util.Optional;

/** The rules for member names. */
public final class Names {

    /** Longest name in characters (code points): fits a terminal column of names and an IRC-like nick. */
    static final int MAX_NAME_CHARS = 32;

    private Names() {}

    /** Why {@code name} cannot be used, or empty if it can. */
    static Optional<String> problem(String name) {
        int count = name.codePointCount(0, name.length());
        if (count == 0) return Optional.of("a name needs at least one character");
        if (count > MAX_NAME_CHARS) return Optional.of("a name has at most " + MAX_NAME_CHARS + " characters");
        char first = name.charAt(0);
        if (first == '/' || first == '*' || first == '[') {
            return Optional.of("a name cannot start with '" + first + "' (it would look like a command or a notice)");
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (!printable(cp)) {
                return Optional.of("a name takes printable characters only, without spaces");
            }
            i += Character.charCount(cp);
        }
        return Optional.empty();
    }

    /** The form names are compared in: unique ignoring case. */
    public static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static boolean printable(int cp) {
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) return false;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE,
                 Character.SURROGATE, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** True if {@code text} may be shown to others: no control characters (terminal escapes, stray CRs). */
    static boolean showable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\t' && (Character.isISOControl(c))) return false;
        }
        return true;
    }
}
