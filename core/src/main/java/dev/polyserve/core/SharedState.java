package dev.polyserve.core;

import java.util.List;

/**
 * State a service keeps across the processes of a multi-process model ({@code prefork}): one hub in the master
 * and one link per worker. The model carries opaque messages between them over its own master&ndash;worker
 * channel, in order in each direction; the service decides what they mean (the chat room keeps its name registry
 * in the hub and relays its events through it). In-process models never call this: there is nothing to share.
 *
 * <p>A service offers it through {@link Service#sharedState()}; wrappers such as the HMAC gate pass it on.
 */
public interface SharedState {

    /** Called once in the master, before any worker starts. */
    Hub openHub();

    /**
     * Called once in each worker, before it serves. Messages put in {@code toHub} reach the hub in order (they
     * are queued until the worker's channel is up). Returns where the hub's messages to this worker go.
     */
    Inbox attachWorker(Outbox toHub);

    /** The master's half: sees every worker. */
    interface Hub {
        /** A worker's channel is up; {@code toWorker} reaches it. Returns where that worker's messages go. */
        Inbox workerAttached(Outbox toWorker);
    }

    /** The sending end of one direction of a link. */
    interface Outbox {
        /**
         * Queues {@code message}; never blocks. A link that cannot keep up (its peer stopped reading) is closed by
         * the model, and both ends see {@link Inbox#closed()}.
         */
        void send(byte[] message);
    }

    /** The receiving end of one direction of a link. Called on one thread, in order. */
    interface Inbox {
        /**
         * Messages that arrived together (one read from the channel), in order. Handling them as a batch is where
         * the savings are: a chat worker sends each member one write for the whole run, not one per message.
         */
        void receive(List<byte[]> messages);

        /** The link ended: in the hub, the worker is gone (with its connections); in a worker, the master is. */
        void closed();
    }
}
