package dev.polyserve.peers;

import dev.polyserve.peers.echo.NettyEchoServer;

import java.util.Arrays;

/**
 * Entry point of the peers jar: {@code java -jar polyserve-peers.jar PEER [options]}. Each peer is
 * a well-known server to run side by side with polyserve under the same load generator; none of
 * them is part of the product.
 */
public final class PeerMain {
    private PeerMain() {}

    public static void main(String[] args) throws Exception {
        String peer = args.length > 0 ? args[0] : "";
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        switch (peer) {
            case "echo" -> NettyEchoServer.main(rest);
            case "chat" -> dev.polyserve.peers.chat.NettyChatServer.main(rest);
            case "websocket" -> dev.polyserve.peers.websocket.NettyWebSocketServer.main(rest);
            case "websocket-chat" -> dev.polyserve.peers.websocket.NettyWebSocketChatServer.main(rest);
            default -> {
                System.err.println("usage: java -jar polyserve-peers.jar echo|chat|websocket|websocket-chat [--host H] [--port P] [--threads N] [--transport auto|epoll|nio]");
                System.exit(2);
            }
        }
    }
}
