package dev.polyserve.cli.log;

import org.slf4j.event.Level;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --log-level}, {@code --quiet} and {@code --log-format}: applied to {@link ConsoleLog} as they are parsed,
 * so even what the command logs while it starts obeys them.
 */
public final class LogOptions {

    @Option(names = "--log-level", paramLabel = "LEVEL", converter = LevelConverter.class,
            description = "Log records at this level and above: trace, debug, info, warn, error (default: info).")
    void level(Level level) {
        ConsoleLog.threshold(level);
    }

    @Option(names = {"-q", "--quiet"},
            description = "Log only warnings and errors (the same as --log-level warn); the default access log is off too.")
    void quiet(boolean quiet) {
        if (quiet) ConsoleLog.threshold(Level.WARN);
    }

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "text (for people) or json (one JSON object a line, for log shippers; the access log too) (default: text).")
    void format(ConsoleLog.Format format) {
        ConsoleLog.format(format);
    }

    static final class LevelConverter implements ITypeConverter<Level> {
        @Override
        public Level convert(String value) {
            try {
                return ConsoleLog.parseLevel(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
