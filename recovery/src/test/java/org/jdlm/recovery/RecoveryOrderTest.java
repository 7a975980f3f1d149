package org.jdlm.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdlm.dlm.api.FencingPort;
import org.junit.jupiter.api.Test;

/** Journal recovery starts after a confirmed fence, never before, and never holds up the lockspace. */
class RecoveryOrderTest {
  private final List<String> steps = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Long> fence = new CompletableFuture<>();
  private final CompletableFuture<Void> journalsDone = new CompletableFuture<>();

  private final FencingPort fencing = new FencingPort() {
    @Override
    public CompletionStage<Long> fence(String node, String address, long incarnation) {
      steps.add("fence " + node);
      return fence;
    }

    @Override
    public CompletionStage<Long> advanceGeneration(long atLeast, String reason) {
      return CompletableFuture.completedFuture(atLeast + 1);
    }
  };

  private final JournalRecovery journals = (node, incarnation, generation) -> {
    steps.add("journals " + node + " " + incarnation + " " + generation);
    return journalsDone;
  };

  @Test
  void journalRecoveryStartsOnlyOnceTheFenceIsConfirmedAndTheLockspaceDoesNotWaitForIt() {
    RecoveryOrder port = new RecoveryOrder(fencing, journals);
    CompletionStage<Long> fenced = port.fence("127.0.0.1:2552", "pekko://jdlm@127.0.0.1:2552", 7);
    assertThat(steps).containsExactly("fence 127.0.0.1:2552");

    fence.complete(42L);
    assertThat(steps).containsExactly("fence 127.0.0.1:2552", "journals 127.0.0.1:2552 7 42");
    assertThat(fenced.toCompletableFuture()).as("the lockspace goes on before the journals are replayed")
        .isCompletedWithValue(42L);
    assertThat(journalsDone).isNotDone();
  }

  @Test
  void aFailedFenceStartsNoJournalRecovery() {
    RecoveryOrder port = new RecoveryOrder(fencing, journals);
    CompletionStage<Long> fenced = port.fence("n3", "a", 1);
    fence.completeExceptionally(new IllegalStateException("fencing of n3 refused"));
    assertThat(fenced.toCompletableFuture()).isCompletedExceptionally();
    assertThat(steps).containsExactly("fence n3");
  }

  @Test
  void generationsComeFromTheFencingPort() {
    assertThat(new RecoveryOrder(fencing, journals).advanceGeneration(5, "test").toCompletableFuture())
        .isCompletedWithValue(6L);
  }
}
