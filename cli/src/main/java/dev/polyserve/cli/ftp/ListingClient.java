package dev.polyserve.cli.ftp;

import java.io.IOException;
import java.net.Socket;
import org.apache.commons.net.ftp.FTPClient;

/**
 * A Commons Net client that hands over the data connection of any command, so a listing is read entry by entry as it
 * arrives: printed at once, and cancellable by closing that socket (Ctrl-C). Commons Net's own {@code listFiles} and
 * {@code mlistDir} read the whole listing before they return and keep the socket to themselves.
 */
interface ListingClient {
    /** Sends {@code command} (with {@code arg}, or none when null) over a new data connection; null when refused. */
    Socket openData(String command, String arg) throws IOException;

    /** Plain FTP. */
    final class Plain extends FTPClient implements ListingClient {
        @Override
        public Socket openData(String command, String arg) throws IOException {
            return _openDataConnection_(command, arg);
        }
    }
}
