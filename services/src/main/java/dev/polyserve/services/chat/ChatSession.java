package dev.polyserve.services.chat;

import dev.polyserve.services.chat.ChatEvent.Kind;
import dev.polyserve.services.chat.ChatEvent.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's side of the room, sans-I/O: commands in; replies to {@link Member#deliver}, room changes to the
 * {@link ChatBus}. Not thread-safe: its connection's handler calls are serialised, which is all it needs; the
 * bus's later answers (a name claim across prefork workers) come back through the connection's serial executor,
 * and the commands that arrived meanwhile wait for them, so a client that types its name and a line at once is
 * served in order.
 */
final class ChatSession {
    private static final Logger log = LoggerFactory.getLogger(ChatSession.class);

    static final String HELP = """
            Commands:
              /list              who is here
              /msg NAME TEXT     a private message
              /nick NEWNAME      change your name
              /me ACTION         an action, e.g. /me waves
              /admin TEXT        an announcement to all (admin key holders only)
              /help              this list
              /quit              leave
            Any other line is said to everyone; start it with // to say something beginning with /.""";

    /**
     * Most commands held while the bus answers a name claim (a round trip to the prefork master, well under a
     * millisecond): more than flood control lets through in that time, so only a client without flood control
     * that does not wait for its greeting ever meets it; its extra lines are dropped with a notice.
     */
    static final int MAX_HELD_COMMANDS = 64;

    private final ChatBus bus;
    private final ChatLimits limits;
    private final GreetingHold self;
    private final Runnable closeConnection;
    private final LongSupplier nanoClock;
    private final Executor serial;
    private final FloodControl flood;
    private final DroppedLines dropped = new DroppedLines();
    private final ArrayDeque<ChatInput> held = new ArrayDeque<>();
    private String name;
    private boolean admin;
    private boolean gone;
    /** A join or rename is with the bus; commands wait in {@link #held}. */
    private boolean waiting;

    /**
     * @param self            how this member is reached (also its identity on the bus)
     * @param closeConnection closes the connection once queued replies are flushed
     * @param serial          runs tasks serialised with this session's other calls (the connection's executor)
     * @param nanoClock       monotonic time for flood control
     */
    ChatSession(ChatBus bus, ChatLimits limits, Member self, Runnable closeConnection, Executor serial, LongSupplier nanoClock) {
        this.bus = bus;
        this.limits = limits;
        this.self = new GreetingHold(self);
        this.closeConnection = closeConnection;
        this.serial = serial;
        this.nanoClock = nanoClock;
        this.flood = new FloodControl(limits.linesPerSecond());
    }

    /** This member as the bus knows it (what the bus's leave and rename calls name). */
    Member member() {
        return self;
    }

    boolean named() {
        return name != null;
    }

    String name() {
        return name;
    }

    /** The client passed the HMAC gate with the admin key: {@code /admin} is allowed. */
    void grantAdmin() {
        admin = true;
    }

    void open() {
        if (bus.size() >= limits.maxMembers()) {
            log.info("chat: refusing a client: the room is full ({} members)", limits.maxMembers());
            tell(Kind.ROOM_FULL, "The room is full (" + limits.maxMembers() + " members); try again later.");
            end();
            return;
        }
        int here = bus.size();
        tell(Kind.WELCOME, "Welcome to polyserve chat (" + here + (here == 1 ? " member" : " members") + " here).");
        tell(Kind.ASK_NAME, "Your name?");
    }

    void onCommand(ChatCommand command) {
        onInput(named -> command);
    }

    /** One line or frame; after each read's worth, call {@link #endOfBatch()}. */
    void onInput(ChatInput input) {
        ChatCommand command = gone ? null : input.parse(named());
        if (command == null || command instanceof ChatCommand.Nothing) return;
        switch (flood.take(nanoClock.getAsLong())) {
            case ACCEPT -> {
                if (!waiting) dispatch(command);
                else if (held.size() < MAX_HELD_COMMANDS) held.add(input);
                else tell(Kind.FLOOD, "Slow down: wait for the answer to your name; this line was dropped.");
            }
            case DROP -> dropped.add(flood.lineInBurst());
            case DISCONNECT -> {
                log.warn("chat: disconnecting {}: still flooding after the warning", name == null ? "an unnamed client" : name);
                tell(Kind.FLOOD, "Disconnected for flooding.");
                leave(Reason.FLOODING);
                end();
            }
        }
    }

    /** The end of one read's inputs: tells the sender exactly which of them flood control dropped, if any. */
    void endOfBatch() {
        if (!gone && !dropped.isEmpty()) tell(Kind.FLOOD, dropped.report(flood.rate(), flood.lineInBurst()));
    }

    void onOverlong() {
        if (gone) return;
        tell(Kind.LINE_TOO_LONG, "Line longer than " + limits.maxLineBytes() + " bytes; dropped.");
    }

    /** The connection broke the framing rules; tell it why, then close. */
    void onProtocolError(String reason) {
        if (gone) return;
        tell(Kind.PROTOCOL_ERROR, "Protocol error: " + reason + ". Closing.");
        leave(Reason.PROTOCOL_ERROR);
        end();
    }

    /**
     * Nothing moved for the server's idle timeout. Lurking is normal in a chat room, so a member stays; a
     * connection that never picked a name is holding a slot for nothing and is closed.
     */
    void onIdle() {
        if (gone || named()) return;
        tell(Kind.IDLE, "Closing: idle for too long.");
        leave(Reason.IDLE);
        end();
    }

    /**
     * A line (or frame) stayed unfinished for {@code timeout}: bytes trickled in without an end hold a slot (and a
     * buffer) as long as the sender likes, a slow-loris of the room. Told why, then closed.
     */
    void onUnfinishedLine(java.time.Duration timeout) {
        if (gone) return;
        long ms = timeout.toMillis();
        tell(Kind.UNFINISHED_LINE, "Closing: a line was left unfinished for " + (ms % 1000 == 0 ? ms / 1000 + "" : ms / 1000.0 + "") + " s.");
        leave(Reason.UNFINISHED_LINE);
        end();
    }

    /** The server is stopping: everyone is told so and leaves without a leave notice each (N members, not N²). */
    void onShutdown() {
        if (gone) return;
        tell(Kind.SHUTDOWN, "The server is shutting down. Bye.");
        if (name != null) bus.leaveAtShutdown(name, self);
        end();
    }

    /** The connection is gone (closed by either side, or dropped) for {@code reason}. Idempotent. */
    void onClosed(Reason reason) {
        leave(reason);
        gone = true;
    }

    private void dispatch(ChatCommand command) {
        switch (command) {
            case ChatCommand.Name(String n) -> {
                if (named()) rename(n);
                else join(n);
            }
            case ChatCommand.Help() -> tell(Kind.HELP, HELP);
            case ChatCommand.Quit() -> {
                tell(Kind.BYE, "Bye.");
                leave(Reason.LEFT);
                end();
            }
            case ChatCommand.Usage(String usage) -> tell(Kind.USAGE, "Usage: " + usage);
            case ChatCommand.Unknown(String verb) -> tell(Kind.UNKNOWN_COMMAND, "Unknown command " + verb + "; /help lists them.");
            case ChatCommand.Nothing() -> { }
            default -> {
                if (!named()) {
                    tell(Kind.ASK_NAME, "Pick a name first: type it on a line by itself.");
                } else {
                    inRoom(command);
                }
            }
        }
    }

    private void inRoom(ChatCommand command) {
        switch (command) {
            case ChatCommand.Say(String text) -> {
                if (sayable(text)) bus.broadcast(new ChatEvent.Said(name, text), self);
            }
            case ChatCommand.Me(String text) -> {
                if (sayable(text)) bus.broadcast(new ChatEvent.Acted(name, text), self);
            }
            case ChatCommand.Private(String to, String text) -> {
                if (!sayable(text)) return;
                String exact = bus.sendTo(to, new ChatEvent.PrivateFrom(name, text));
                if (exact == null) tell(Kind.NO_SUCH_MEMBER, "Nobody called " + to + " is here; /list shows who is.");
                else tell(new ChatEvent.PrivateTo(exact, text));
            }
            case ChatCommand.ListMembers() -> tell(new ChatEvent.Members(bus.names()));
            case ChatCommand.Admin(String text) -> {
                if (!admin) {
                    log.warn("chat: {} tried /admin without the admin key", name);
                    tell(Kind.NOT_ADMIN, "Only clients that passed the HMAC gate with the admin key may use /admin.");
                } else if (sayable(text)) {
                    log.info("chat: admin announcement from {}: {}", name, text);
                    bus.broadcast(new ChatEvent.Announcement(text), null);
                }
            }
            default -> throw new IllegalStateException("unhandled command " + command);
        }
    }

    private void join(String wanted) {
        if (!nameUsable(wanted)) return;
        self.hold();   // the bus may seat us and deliver before our greeting is written: those wait for it
        await(bus.join(wanted, self), (result, failure) -> joined(wanted, result, failure));
    }

    private void joined(String wanted, ChatBus.Join result, Throwable failure) {
        if (failure != null || gone || result != ChatBus.Join.JOINED) self.release(null);
        if (failure != null) {
            unreachable(failure);
            return;
        }
        if (gone) {
            // The connection ended while the claim was out: give the name back, unannounced.
            if (result == ChatBus.Join.JOINED) bus.leave(wanted, self);
            return;
        }
        switch (result) {
            case JOINED -> {
                name = wanted;
                // Announce first: once the newcomer reads its greeting, everyone else has been told.
                bus.broadcast(new ChatEvent.Joined(wanted), self);
                List<String> others = bus.names().stream().filter(n -> !n.equals(wanted)).toList();
                String hello = "Hello " + wanted + "! " + (others.isEmpty() ? "Nobody else is here yet."
                        : "Here: " + String.join(", ", others) + ".") + " Type /help for commands.";
                if (!self.release(new Delivery(new ChatEvent.Notice(Kind.HELLO, hello)))) tooSlow();
            }
            case NAME_TAKEN -> tell(Kind.NAME_TAKEN, "The name " + wanted + " is taken. Your name?");
            case ROOM_FULL -> {
                tell(Kind.ROOM_FULL, "The room is full (" + limits.maxMembers() + " members); try again later.");
                end();
            }
        }
    }

    private void rename(String wanted) {
        if (wanted.equals(name)) {
            tell(Kind.USAGE, "You are already " + name + ".");
            return;
        }
        if (!nameUsable(wanted)) return;
        String old = name;
        await(bus.rename(old, wanted, self), (moved, failure) -> renamed(old, wanted, moved, failure));
    }

    private void renamed(String old, String wanted, Boolean moved, Throwable failure) {
        if (failure != null) {
            unreachable(failure);
            return;
        }
        if (gone) {
            if (moved) bus.leave(wanted, self);   // left under the old name meanwhile: free the new one too
            return;
        }
        if (!moved) {
            tell(Kind.NAME_TAKEN, "The name " + wanted + " is taken.");
            return;
        }
        name = wanted;
        bus.broadcast(new ChatEvent.Renamed(old, wanted), null);
    }

    /**
     * Runs {@code then} with the bus's answer: at once if it is ready (one process), else on the serial executor
     * when it comes, holding the commands that arrive meanwhile and replaying them after.
     */
    private <T> void await(CompletionStage<T> answer, BiConsumer<T, Throwable> then) {
        CompletableFuture<T> f = answer.toCompletableFuture();
        if (f.isDone()) {
            deliverAnswer(f, then);
            return;
        }
        waiting = true;
        f.whenComplete((r, e) -> serial.execute(() -> {
            waiting = false;
            deliverAnswer(f, then);
            while (!waiting && !gone && !held.isEmpty()) dispatch(held.poll().parse(named()));
            if (gone) held.clear();
        }));
    }

    private static <T> void deliverAnswer(CompletableFuture<T> done, BiConsumer<T, Throwable> then) {
        switch (done.state()) {
            case SUCCESS -> then.accept(done.resultNow(), null);
            case FAILED -> then.accept(null, done.exceptionNow());
            default -> then.accept(null, new CancellationException("the bus cancelled the request"));
        }
    }

    /** The room cannot be reached (the prefork master is gone, so this worker is stopping). */
    private void unreachable(Throwable failure) {
        log.warn("chat: the room is unreachable ({}); closing {}", failure.getMessage(), name == null ? "an unnamed client" : name);
        if (gone) return;
        tell(Kind.SHUTDOWN, "The server is shutting down. Bye.");
        leave(Reason.LEFT);
        end();
    }

    private boolean nameUsable(String wanted) {
        var problem = Names.problem(wanted);
        // Only a newcomer is asked again; a member who tried /nick keeps the name it has.
        problem.ifPresent(p -> tell(Kind.NAME_INVALID, "That name cannot be used: " + p + (named() ? "." : ". Your name?")));
        return problem.isEmpty();
    }

    /** Lines are bounded by the decoder; frames are checked here, so both protocols keep the same limit. */
    private boolean sayable(String text) {
        if (text.getBytes(StandardCharsets.UTF_8).length > limits.maxLineBytes()) {
            tell(Kind.LINE_TOO_LONG, "Message longer than " + limits.maxLineBytes() + " bytes; dropped.");
            return false;
        }
        if (!Names.showable(text)) {
            tell(Kind.BAD_TEXT, "Messages cannot contain control characters; dropped.");
            return false;
        }
        return true;
    }

    private void leave(Reason reason) {
        if (name != null && !gone && bus.leave(name, self)) {
            bus.broadcast(new ChatEvent.Left(name, reason), self);
        }
    }

    private void end() {
        gone = true;
        closeConnection.run();
    }

    private void tell(Kind kind, String text) {
        tell(new ChatEvent.Notice(kind, text));
    }

    private void tell(ChatEvent event) {
        if (!self.reply(new Delivery(event))) tooSlow();
    }

    /** The member does not read even its own replies: it leaves as too slow and its connection ends now. */
    private void tooSlow() {
        if (gone) return;
        log.warn("chat: dropping {}: its own replies are not being read (too slow)", name);
        leave(Reason.TOO_SLOW);
        gone = true;
        self.drop();
    }
}
