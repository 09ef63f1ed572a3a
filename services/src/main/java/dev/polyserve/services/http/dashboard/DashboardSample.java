package dev.polyserve.services.http.dashboard;

import java.util.Map;

/**
 * One reading of a server's counters, all cumulative (the dashboard turns them into rates).
 *
 * @param requests  HTTP responses sent, or -1 where the server does not count requests (chat, FTP, prefork)
 * @param cpuNanos  CPU time used so far by each part worth watching: {@code process}, each event-loop thread
 *                  ({@code nio-loop-0}), or each prefork worker ({@code worker 4711}). An event loop's CPU time is
 *                  its busy time: a loop waiting in select/epoll uses none.
 */
public record DashboardSample(String model, long open, long accepted, long bytesIn, long bytesOut, long requests,
                              Map<String, Long> cpuNanos) {
    public DashboardSample {
        cpuNanos = Map.copyOf(cpuNanos);
    }
}
