package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueueDemoTest {
    @Test
    void fullAndEmptyAreReportedAndEveryJobIsConsumedExactlyOnce() throws Exception {
        Captured c = new Captured();
        QueueDemo.Result r = QueueDemo.run(c.out);
        assertThat(r.offerRefusedWhenFull()).isTrue();
        assertThat(r.timedPutRefusedWhenFull()).isTrue();
        assertThat(r.pollEmptyWhenEmpty()).isTrue();
        assertThat(r.timedGetEmptyWhenEmpty()).isTrue();
        assertThat(r.consumed()).hasSize(QueueDemo.PRODUCERS * QueueDemo.ITEMS_PER_PRODUCER)
                .containsExactlyInAnyOrderElementsOf(r.produced());
        assertThat(r.joinReturnedAfterAllDone()).isTrue();
        assertThat(r.consumersStopped()).isTrue();
        assertThat(c.lastLine()).startsWith("verdict: a bounded queue");
    }

    @Test
    void joinWaitsForTaskDoneNotForTake() throws Exception {
        JoinableQueue<String> q = new JoinableQueue<>(2);
        q.put("a");
        assertThat(q.take()).contains("a");
        assertThat(q.join(Duration.ZERO)).as("taken but not done").isFalse();
        q.taskDone();
        assertThat(q.join(Duration.ZERO)).isTrue();
        assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aClosedQueueDrainsThenAnswersEmptyAndRefusesPuts() throws Exception {
        JoinableQueue<String> q = new JoinableQueue<>(2);
        q.put("last");
        q.close();
        assertThat(q.take()).contains("last");
        assertThat(q.take()).isEmpty();
        assertThat(q.poll(Duration.ofSeconds(1))).isEmpty();
        assertThatThrownBy(() -> q.put("late")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aConsumerBlockedOnAnEmptyQueueIsReleasedByClose() throws Exception {
        JoinableQueue<String> q = new JoinableQueue<>(1);
        var result = new java.util.concurrent.CompletableFuture<java.util.Optional<String>>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                result.complete(q.take());
            } catch (InterruptedException e) {
                result.completeExceptionally(e);
            }
        });
        q.close();
        assertThat(result.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
        t.join();
    }
}
