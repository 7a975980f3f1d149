/** The distributed lock manager: lock modes and grant rules (pure core in .core), resource masters, directory, lockspace, callbacks, the Java API and lock dumps. */
package org.jdlm.dlm;
