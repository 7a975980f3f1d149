package org.jdlm.scenario.chaos;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.jdlm.dlm.api.BlockingListener;
import org.jdlm.dlm.api.CompletionListener;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.RecoveryState;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.OwnerLockState;
import org.jdlm.dlm.core.SbFlags;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * A deliberately broken lockspace: every other lock request is "granted" at once without asking
 * the DLM, with a fresh token from a private counter, so two clients can hold EX together. The
 * checkers must notice.
 */
final class GrantsTwice implements LockspaceHandle {

  private final LockspaceHandle real;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong tokens;

  GrantsTwice(LockspaceHandle real, AtomicLong sharedTokens) {
    this.real = real;
    this.tokens = sharedTokens;
  }

  @Override
  public LockHandle lock(byte[] name, LockMode mode, Set<LockFlag> flags, byte[] lvb, BlockingListener listener) {
    if (requests.incrementAndGet() % 2 == 0) {
      return new Fake(name, mode, new FencingToken(1_000, tokens.incrementAndGet()));
    }
    return real.lock(name, mode, flags, lvb, listener);
  }

  @Override
  public LockHandle lock(byte[] name, LockMode mode, Set<LockFlag> flags, byte[] lvb, BlockingListener listener,
      CompletionListener completion) {
    return lock(name, mode, flags, lvb, listener);
  }

  private record Fake(byte[] name, LockMode mode, FencingToken token) implements LockHandle {
    @Override
    public long id() {
      return -1;
    }

    @Override
    public String displayName() {
      return new String(name);
    }

    @Override
    public CompletionStage<LockResult> completion() {
      return CompletableFuture.completedFuture(new LockResult(CastStatus.OK, mode, null, SbFlags.NONE, token));
    }

    @Override
    public CompletionStage<LockResult> convert(LockMode newMode, Set<LockFlag> flags, byte[] lvb) {
      throw new UnsupportedOperationException("the broken lock does not convert");
    }

    @Override
    public CompletionStage<LockResult> unlock(Set<LockFlag> flags, byte[] lvb) {
      return CompletableFuture.completedFuture(new LockResult(CastStatus.EUNLOCK, null, null, SbFlags.NONE, null));
    }

    @Override
    public CompletionStage<LockResult> cancel() {
      return completion();
    }

    @Override
    public LockMode grantedMode() {
      return mode;
    }

    @Override
    public LockMode requestedMode() {
      return null;
    }

    @Override
    public OwnerLockState state() {
      return OwnerLockState.GRANTED;
    }
  }

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public NodeId nodeId() {
    return real.nodeId();
  }

  @Override
  public int lvbLength() {
    return real.lvbLength();
  }

  @Override
  public CompletionStage<LockspaceDump> dump() {
    return real.dump();
  }

  @Override
  public CompletionStage<Boolean> flush() {
    return real.flush();
  }

  @Override
  public CompletionStage<ClusterDump> clusterDump() {
    return real.clusterDump();
  }

  @Override
  public boolean isQuiet() {
    return real.isQuiet();
  }

  @Override
  public List<NodeId> members() {
    return real.members();
  }

  @Override
  public RecoveryState recoveryState() {
    return real.recoveryState();
  }

  @Override
  public long generation() {
    return real.generation();
  }

  @Override
  public CompletionStage<Void> leave() {
    return real.leave();
  }
}
