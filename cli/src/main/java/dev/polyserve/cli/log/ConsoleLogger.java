package dev.polyserve.cli.log;

import java.io.Serial;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** One named SLF4J logger writing through {@link ConsoleLog}; the threshold is read on every call, so it can change after start-up. */
final class ConsoleLogger extends LegacyAbstractLogger {
    @Serial
    private static final long serialVersionUID = 1L;

    ConsoleLogger(String name) {
        this.name = name;
    }

    @Override public boolean isTraceEnabled() { return ConsoleLog.enabled(name, Level.TRACE); }
    @Override public boolean isDebugEnabled() { return ConsoleLog.enabled(name, Level.DEBUG); }
    @Override public boolean isInfoEnabled() { return ConsoleLog.enabled(name, Level.INFO); }
    @Override public boolean isWarnEnabled() { return ConsoleLog.enabled(name, Level.WARN); }
    @Override public boolean isErrorEnabled() { return ConsoleLog.enabled(name, Level.ERROR); }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable error) {
        ConsoleLog.write(name, level, MessageFormatter.basicArrayFormat(pattern, args), error);
    }
}
