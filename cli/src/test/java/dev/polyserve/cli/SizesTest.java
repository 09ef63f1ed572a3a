package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class SizesTest {
    @Test
    void bytes() {
        assertThat(Sizes.parseBytes("4096")).isEqualTo(4096);
        assertThat(Sizes.parseBytes("512K")).isEqualTo(512 * 1024);
        assertThat(Sizes.parseBytes("4M")).isEqualTo(4 << 20);
        assertThat(Sizes.parseBytes("1GiB")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> Sizes.parseBytes("lots")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> Sizes.parseBytes("99999999999999G")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void durations() {
        assertThat(Sizes.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Sizes.parseDuration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Sizes.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Sizes.parseDuration("0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Sizes.parseDuration("soon")).isInstanceOf(TypeConversionException.class);
    }
}
