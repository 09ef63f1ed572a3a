package dev.polyserve.services.ftp;

import java.nio.file.Path;

/** A logged-in user: name, home directory (their "/") and whether they may change files. */
record Account(String name, Path home, boolean canWrite) {}
