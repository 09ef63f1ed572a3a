package dev.polyserve.cli.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The shell's word splitting: names with spaces, quotes and backslashes, and the refusals. */
class ShellWordsTest {
    @Test
    void blanksSplitAndRunsOfThemCountOnce() {
        assertThat(ShellWords.split("  get   a.txt\tb.txt ")).containsExactly("get", "a.txt", "b.txt");
        assertThat(ShellWords.split("   ")).isEmpty();
    }

    @Test
    void quotesKeepSpaces() {
        assertThat(ShellWords.split("get \"my file.txt\" 'copy of it.txt'")).containsExactly("get", "my file.txt", "copy of it.txt");
        assertThat(ShellWords.split("put a\" b \"c")).as("quotes join with what touches them").containsExactly("put", "a b c");
        assertThat(ShellWords.split("rm \"\"")).as("an empty quoted word is a word").containsExactly("rm", "");
    }

    @Test
    void backslashesEscape() {
        assertThat(ShellWords.split("get my\\ file.txt")).containsExactly("get", "my file.txt");
        assertThat(ShellWords.split("get \"say \\\"hi\\\" \\\\ \\n\"")).as("in double quotes only \\\" and \\\\")
                .containsExactly("get", "say \"hi\" \\ \\n");
        assertThat(ShellWords.split("get 'C:\\dir\\f'")).as("nothing escapes in single quotes").containsExactly("get", "C:\\dir\\f");
        assertThat(ShellWords.split("get it\\'s")).containsExactly("get", "it's");
    }

    @Test
    void unclosedQuotesAndTrailingBackslashesAreRefusedWithWhere() {
        assertThatThrownBy(() -> ShellWords.split("get \"my file")).hasMessage("unclosed \" (column 5)");
        assertThatThrownBy(() -> ShellWords.split("get 'x")).hasMessage("unclosed ' (column 5)");
        assertThatThrownBy(() -> ShellWords.split("get x\\")).hasMessageContaining("backslash at the end");
    }

    @Test
    void quoteRoundTrips() {
        for (String name : new String[] {"plain.txt", "my file.txt", "it's \"here\"", "back\\slash", ""}) {
            assertThat(ShellWords.split("get " + ShellWords.quote(name))).containsExactly("get", name);
        }
        assertThat(ShellWords.quote("plain.txt")).isEqualTo("plain.txt");
    }
}
