package dev.polyserve.process;

import dev.polyserve.core.ServerConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ServerConfig} as one line of text, so a master hands a child JVM its whole configuration in one
 * environment variable. Every record component is written as {@code name=value}, joined by {@code &} and
 * URL-encoded, so a field added to {@link ServerConfig} travels without anyone remembering to add it here;
 * a component of a type this codec does not know fails on the first encode, in the master.
 */
final class ServerConfigCodec {
    private static final RecordComponent[] COMPONENTS = ServerConfig.class.getRecordComponents();

    private ServerConfigCodec() {}

    static String encode(ServerConfig config) {
        StringBuilder sb = new StringBuilder(256);
        for (RecordComponent c : COMPONENTS) {
            Object value;
            try {
                value = c.getAccessor().invoke(config);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read ServerConfig." + c.getName(), e);
            }
            if (!sb.isEmpty()) sb.append('&');
            sb.append(c.getName()).append('=').append(url(text(c, value)));
        }
        return sb.toString();
    }

    static ServerConfig decode(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : line.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("malformed server configuration field: " + pair);
            fields.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        Object[] args = new Object[COMPONENTS.length];
        Class<?>[] types = new Class<?>[COMPONENTS.length];
        for (int i = 0; i < COMPONENTS.length; i++) {
            RecordComponent c = COMPONENTS[i];
            String text = fields.get(c.getName());
            if (text == null) throw new IllegalArgumentException("server configuration lacks " + c.getName());
            types[i] = c.getType();
            args[i] = value(c, text);
        }
        try {
            Constructor<ServerConfig> k = ServerConfig.class.getDeclaredConstructor(types);
            return k.newInstance(args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild ServerConfig", e);
        }
    }

    private static String text(RecordComponent c, Object value) {
        return switch (value) {
            case InetSocketAddress a -> a.getHostString() + " " + a.getPort();
            case Duration d -> d.toString();
            case String s -> s;
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Boolean b -> b.toString();
            case List<?> list -> {
                // The count, then each element URL-encoded: an argument may hold any character, be empty, or both.
                List<String> parts = new ArrayList<>();
                parts.add(Integer.toString(list.size()));
                for (Object o : list) parts.add(url((String) o));
                yield String.join(" ", parts);
            }
            default -> throw new IllegalStateException("ServerConfig." + c.getName() + " has a type "
                    + value.getClass().getName() + " that " + ServerConfigCodec.class.getSimpleName() + " cannot carry");
        };
    }

    private static Object value(RecordComponent c, String text) {
        Class<?> t = c.getType();
        if (t == InetSocketAddress.class) {
            int sp = text.lastIndexOf(' ');
            return new InetSocketAddress(text.substring(0, sp), Integer.parseInt(text.substring(sp + 1)));
        }
        if (t == Duration.class) return Duration.parse(text);
        if (t == String.class) return text;
        if (t == int.class) return Integer.parseInt(text);
        if (t == long.class) return Long.parseLong(text);
        if (t == boolean.class) return Boolean.parseBoolean(text);
        if (t == List.class) {
            String[] parts = text.split(" ", -1);
            int n = Integer.parseInt(parts[0]);
            if (parts.length != n + 1) throw new IllegalArgumentException("ServerConfig." + c.getName() + ": expected " + n + " elements");
            return Arrays.stream(parts, 1, parts.length).map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
        }
        throw new IllegalStateException("ServerConfig." + c.getName() + " has a type " + t.getName() + " this codec cannot carry");
    }

    private static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
