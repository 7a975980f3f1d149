package org.jdlm.fs.core;

/** Identifies one holder on one glock; chosen by the caller (the Glock actor numbers them). */
public record HolderId(long value) {
  @Override
  public String toString() {
    return "h" + value;
  }
}
