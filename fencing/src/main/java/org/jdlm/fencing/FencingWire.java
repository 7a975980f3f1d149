package org.jdlm.fencing;

import org.jdlm.common.wire.WireRegistrations;
import org.jdlm.fencing.core.FencingLedger;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.fencing.core.WriteToken;
import org.jdlm.fencing.store.StoreProbe;

/**
 * {@code fencing}'s wire registrations (ids 600-699). Ids are part of the wire format and of the
 * stored journal: never renumber or reuse one.
 */
public final class FencingWire implements WireRegistrations {

  @Override public void register(Registrar registrar) {
    // 600-609: the shared store's smoke probe (org.jdlm.fencing.store).
    registrar.register(StoreProbe.Append.class, 600)
        .register(StoreProbe.Read.class, 601)
        .register(StoreProbe.Events.class, 602)
        .register(StoreProbe.Refused.class, 603)
        .register(StoreProbe.Appended.class, 604);
    // 610-629: the fence coordinator (requests between coordinators, replies to recovery).
    registrar.register(FenceCoordinator.Fence.class, 610)
        .register(FenceCoordinator.FenceAck.class, 611)
        .register(FenceCoordinator.GetStatus.class, 612)
        .register(FenceCoordinator.Fenced.class, 613)
        .register(FenceCoordinator.FenceAttemptFailed.class, 614)
        .register(FenceCoordinator.FenceRefused.class, 615)
        .register(FenceCoordinator.Status.class, 616)
        .register(FenceCoordinator.OperationStatus.class, 617)
        .register(FenceCoordinator.Peers.class, 618);
    // 630-649: the fencing authority (a cluster singleton) and its journal events.
    registrar.register(FencingAuthority.Admit.class, 630)
        .register(FencingAuthority.RecordFenced.class, 631)
        .register(FencingAuthority.Advance.class, 632)
        .register(FencingAuthority.GetState.class, 633)
        .register(FencingAuthority.FenceRecorded.class, 634)
        .register(FencingAuthority.Advanced.class, 635)
        .register(FencingAuthority.LedgerState.class, 636)
        .register(FencingAuthority.FencedIncarnation.class, 637)
        .register(FencingLedger.Admitted.class, 638)
        .register(FencingLedger.RefusedFenced.class, 639)
        .register(FencingLedger.IncarnationAdmitted.class, 640)
        .register(FencingLedger.IncarnationFenced.class, 641)
        .register(FencingLedger.GenerationAdvanced.class, 642)
        .register(FencingAuthority.Stop.class, 643);
    // 650-679: the shared disk (a cluster singleton per LUN), its replies and journal events.
    registrar.register(SharedDisk.Register.class, 650)
        .register(SharedDisk.Preempt.class, 651)
        .register(SharedDisk.Write.class, 652)
        .register(SharedDisk.Read.class, 653)
        .register(SharedDiskState.Registered.class, 654)
        .register(SharedDiskState.RegistrationRefused.class, 655)
        .register(SharedDiskState.Preempted.class, 656)
        .register(SharedDiskState.PreemptionRefused.class, 657)
        .register(SharedDiskState.Written.class, 658)
        .register(SharedDiskState.WriteRejected.class, 659)
        .register(SharedDiskState.WriteRefusal.class, 660)
        .register(SharedDiskState.BlockContents.class, 661)
        .register(SharedDiskState.ReadRefused.class, 662)
        .register(SharedDiskState.KeyRegistered.class, 663)
        .register(SharedDiskState.KeyPreempted.class, 664)
        .register(SharedDiskState.BlockWritten.class, 665)
        .register(WriteToken.class, 666)
        .register(SharedDisk.Stop.class, 667);
  }
}
