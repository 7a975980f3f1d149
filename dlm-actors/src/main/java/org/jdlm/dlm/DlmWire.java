package org.jdlm.dlm;

import org.jdlm.dlm.core.ValueBlock;

import org.jdlm.dlm.core.NodeId;

import org.jdlm.dlm.core.LockId;

import org.jdlm.dlm.core.ResourceState;

import org.jdlm.dlm.core.RecoveryPhase;

import org.jdlm.dlm.core.RecoveredLock;

import org.jdlm.common.wire.WireRegistrations;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * Every {@code dlm-actors} class that crosses nodes, with its wire id (range 300–599, listed in
 * {@code reference.conf} under {@code jdlm.wire.registrations.dlm-actors}). Ids are part of the
 * wire format: never renumber or reuse one; append new classes with new ids.
 */
public final class DlmWire implements WireRegistrations {

  @Override
  public void register(Registrar r) {
    // 300-319: value types
    r.register(LockMode.class, 300)
        .register(LockFlag.class, 301)
        .register(CastStatus.class, 302)
        .register(SyncStatus.class, 303)
        .register(FencingToken.class, 304)
        .register(ResourceName.class, 305)
        .register(LockId.class, 306)
        .register(NodeId.class, 307)
        .register(ValueBlock.class, 308);
    // 320-359: Lockspace protocol
    r.register(Lockspace.Route.class, 320)
        .register(Lockspace.Dump.class, 321)
        .register(Lockspace.Leave.class, 322)
        .register(Lockspace.LeaveResult.class, 323)
        .register(Lockspace.AtMaster.class, 324)
        .register(Lockspace.NotMaster.class, 325)
        .register(Lockspace.Deliver.class, 326)
        .register(Lockspace.Lookup.class, 327)
        .register(Lockspace.LookupReply.class, 328)
        .register(Lockspace.Remove.class, 329)
        .register(Lockspace.ResourceIdle.class, 330)
        .register(Lockspace.Hello.class, 331)
        .register(Lockspace.StopAck.class, 332)
        .register(Lockspace.RunPhase.class, 333)
        .register(Lockspace.Register.class, 334)
        .register(Lockspace.Registered.class, 335)
        .register(Lockspace.PhaseDone.class, 336)
        .register(RecoveryPhase.class, 337)
        .register(Lockspace.ProbeReply.class, 338)
        .register(DlmGuardian.Probe.class, 339)
        .register(Lockspace.ClusterDump.class, 340)
        .register(Lockspace.ClusterDumpResult.class, 341)
        // 342-345, 347 and 348: retired (the per-resource recovery messages before batching); never reuse.
        .register(Lockspace.ResourcePurged.class, 346)
        .register(RecoveredLock.class, 349)
        .register(ResourceState.Queue.class, 350)
        // 359 from the top of the range: concurrent branches append from 351 upwards
        .register(Lockspace.FailedMember.class, 359);
    // 360-379: LockResource protocol
    r.register(LockResource.Request.class, 360)
        .register(LockResource.Convert.class, 361)
        .register(LockResource.Unlock.class, 362)
        .register(LockResource.Cancel.class, 363)
        .register(LockResource.NewGeneration.class, 364)
        .register(LockResource.DumpResource.class, 365)
        .register(LockResource.Purge.class, 366)
        // 367: retired (AddRecovered with a requester to answer); never reuse.
        .register(LockResource.Finalize.class, 368)
        .register(LockResource.GrantAfterRecovery.class, 369)
        .register(LockResource.Adopt.class, 370);
    // 380-399: master -> owner events
    r.register(LockEvent.Completed.class, 380)
        .register(LockEvent.Blocking.class, 381)
        .register(LockEvent.Queued.class, 382)
        .register(LockEvent.CancelIgnored.class, 383)
        .register(LockEvent.Rejected.class, 384);
    // 400-419: dumps
    r.register(LockspaceDump.class, 400)
        .register(LockspaceDump.ResourceDump.class, 401)
        .register(LockspaceDump.QueuedLock.class, 402)
        .register(LockspaceDump.OwnedLock.class, 403);
    // 420-439: batched recovery (docs/recovery.md, "Batches")
    r.register(Lockspace.RecoverLookup.class, 420)
        .register(Lockspace.RecoverLookupReply.class, 421)
        .register(Lockspace.Mastered.class, 422)
        .register(Lockspace.RecoverLocks.class, 423)
        .register(Lockspace.RecoveredResource.class, 424)
        .register(Lockspace.RecoverLocksAck.class, 425)
        .register(LockResource.AddRecovered.class, 426);
    // 440-449: flush (LockspaceHandle.flush, the scenario runner's await quiet)
    r.register(Lockspace.Flush.class, 440)
        .register(Lockspace.Flushed.class, 441)
        .register(Lockspace.FlushMarker.class, 442)
        .register(LockResource.Flush.class, 443)
        .register(FlushCollector.Fanout.class, 444)
        .register(FlushCollector.Ack.class, 445);
    // 450-459: the wait-for-graph detector (docs/detector.md §4.2; its own channel, not the DLM's)
    r.register(DetectorAgent.MemberFacts.class, 450)
        .register(DetectorAgent.DenyRequest.class, 451)
        .register(LockResource.DenyDeadlock.class, 452);
  }
}
