package org.jdlm.common.wire;

/** Registrations of the test messages, in the {@code tests} range (2000-2999). */
public final class TestWire implements WireRegistrations {

  @Override public void register(Registrar registrar) {
    registrar.register(TestMessages.Ping.class, 2000)
        .register(TestMessages.Pong.class, 2001)
        .register(TestMessages.Inner.class, 2002)
        .register(TestMessages.Color.class, 2003)
        .register(TestMessages.Blob.class, 2004)
        .register(TestMessages.Bag.class, 2005)
        .register(TestMessages.Envelope.class, 2006);
  }
}
