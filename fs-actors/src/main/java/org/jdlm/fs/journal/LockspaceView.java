package org.jdlm.fs.journal;

import java.util.Set;
import java.util.stream.Collectors;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.NodeId;

/**
 * What journal recovery reads of the filesystem's lockspace, in the role of GFS2's
 * {@code recover_prep}/{@code recover_slot}/{@code recover_done} callbacks, which the DLM API does
 * not offer: whether it runs, the generation of its last resume (a new generation = a recovery or a
 * join finished), and its members (a journal whose owner is not among them belongs to a departed,
 * fenced member).
 */
public interface LockspaceView {

  /** The lockspace name, as in {@code lockspace:<name>} wait-for vertices. */
  String name();

  /** This member's DLM node id ({@code host:port}): the owner written into the journal it claims. */
  String self();

  /** Whether locking is enabled (no recovery under way). */
  boolean running();

  /** The generation of the last resume; grows with every recovery and every join. */
  long generation();

  /** The members as of the last resume. */
  Set<String> members();

  /** The view over a DLM lockspace handle. */
  static LockspaceView of(LockspaceHandle handle) {
    return new LockspaceView() {
      @Override
      public String name() {
        return handle.name();
      }

      @Override
      public String self() {
        return handle.nodeId().name();
      }

      @Override
      public boolean running() {
        return handle.recoveryState().running();
      }

      @Override
      public long generation() {
        return handle.generation();
      }

      @Override
      public Set<String> members() {
        return handle.members().stream().map(NodeId::name).collect(Collectors.toSet());
      }
    };
  }
}
