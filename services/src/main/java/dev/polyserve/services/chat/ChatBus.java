package dev.polyserve.services.chat;

import dev.polyserve.core.SharedState;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The room's shared state and fan-out: who holds which name, and delivery to them. {@link InProcessChatBus} serves
 * the members of one process; {@link RelayedChatBus} those of one prefork worker, with the names kept unique by
 * the master's {@link ChatHub}. Every method is thread-safe and non-blocking: claiming a name may need the
 * master's word, so {@link #join} and {@link #rename} answer later.
 */
public interface ChatBus {

    /** The result of asking to join. */
    enum Join { JOINED, NAME_TAKEN, ROOM_FULL }

    /**
     * Claims {@code name} (unique ignoring case) for {@code member}. Announces nothing. Fails (exceptionally) only
     * if the room is unreachable.
     */
    CompletionStage<Join> join(String name, Member member);

    /** Moves {@code member} from {@code from} to {@code to}; false if {@code to} is someone else's. */
    CompletionStage<Boolean> rename(String from, String to, Member member);

    /** Releases {@code name} if {@code member} still holds it; true if it did (so its leave should be told). */
    boolean leave(String name, Member member);

    /**
     * Releases {@code name} because this server is stopping: the members here are all being told so and need no
     * leave notice each, but a bus that reaches members in other processes tells them the member left.
     */
    default void leaveAtShutdown(String name, Member member) {
        leave(name, member);
    }

    /**
     * How this bus spans the processes of {@code prefork} itself, or null (the default): the room then spans the
     * workers through the master's {@link ChatHub} and a {@link RelayedChatBus} in each worker.
     */
    default SharedState sharedState() {
        return null;
    }

    /**
     * Delivers {@code event} to every member except {@code except} (null: everyone), in call order per caller.
     * Members that cannot keep up are dropped and announced as {@code left (too slow)}.
     */
    void broadcast(ChatEvent event, Member except);

    /** Delivers {@code event} to the member called {@code name} (any case); returns its exact name, or null if absent. */
    String sendTo(String name, ChatEvent event);

    /** The members' names, sorted ignoring case (members elsewhere as last heard of). */
    List<String> names();

    /** How many members there are. */
    int size();
}
