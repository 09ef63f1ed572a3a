package dev.polyserve.services.http.dashboard;

/** Where the dashboard's readings come from: this process's counters, or a prefork server's shared segment. */
@FunctionalInterface
public interface DashboardSource {
    /** A fresh reading; called about once a second from the dashboard's own thread. */
    DashboardSample sample();
}
