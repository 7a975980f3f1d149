/** Wire format and shared value types: the Kryo serializer with required registration, the per-module registration lists, generations. */
package org.jdlm.common;
