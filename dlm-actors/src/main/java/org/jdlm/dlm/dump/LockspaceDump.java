package org.jdlm.dlm.dump;

import java.util.List;
import org.jdlm.common.wire.WireMessage;

/**
 * One member's view of one lockspace, as answered to {@code Lockspace.Dump}: the resources it
 * masters (with their queues) and the locks it holds. Format and meaning: {@code docs/dump-format.md}.
 *
 * @param lockspace  lockspace name
 * @param node       the member that answered
 * @param state      {@code running} or {@code stopped(PHASE)}
 * @param generation the lockspace generation this member runs (or last ran) with
 * @param members    the member view, sorted (directory order)
 * @param resources  the resources this member masters, sorted by name
 * @param ownedLocks the locks this node holds (its process copies), sorted by lock id
 * @param missing    resources whose snapshot did not arrive within the dump timeout
 */
public record LockspaceDump(String lockspace, String node, String state, long generation, List<String> members,
    List<ResourceDump> resources, List<OwnedLock> ownedLocks, List<String> missing) implements WireMessage {

  /**
   * A resource as its master sees it.
   *
   * @param name          printable name, or {@code 0x}-hex
   * @param master        master node
   * @param directoryNode directory node in the current generation
   * @param grant         grant queue, head first
   * @param convert       convert queue, head first
   * @param waiting       wait queue, head first
   * @param lvbHex        resource value block in hex
   * @param lvbSeq        value block sequence number
   * @param valNotValid   whether the value block is marked invalid
   */
  public record ResourceDump(String name, String master, String directoryNode, List<QueuedLock> grant,
      List<QueuedLock> convert, List<QueuedLock> waiting, String lvbHex, long lvbSeq, boolean valNotValid)
      implements WireMessage {}

  /**
   * A master copy on one of a resource's queues.
   *
   * @param lockId    owner-local lock id (hex in the text format)
   * @param owner     owner node
   * @param granted   granted mode, or {@code IV}
   * @param requested requested mode, or {@code IV}
   * @param flags     the flags of the lock's last operation
   */
  public record QueuedLock(long lockId, String owner, String granted, String requested, List<String> flags)
      implements WireMessage {}

  /**
   * A lock held by this node (its process copy; recovery rebuilds masters from these).
   *
   * @param lockId    lock id
   * @param resource  resource name
   * @param master    master node when known, else {@code ?}
   * @param state     owner-side status
   * @param granted   granted mode or {@code IV}
   * @param requested requested mode or {@code IV}
   * @param flags     flags of the last operation
   * @param lvbHex    the lock's value block buffer in hex
   * @param token     fencing token as {@code generation/counter}, or {@code -}
   */
  public record OwnedLock(long lockId, String resource, String master, String state, String granted, String requested,
      List<String> flags, String lvbHex, String token) implements WireMessage {}
}
