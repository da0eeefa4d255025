package dev.depth.kernel.simd;

/**
 * Whether this JDK's C2 is one the kernels were measured to compile fully on (JDK 25): masked
 * loads and stores, rearranges, lane conversions, and the 8-row GEMM tile at full speed. JDK 17's
 * is not (see where {@link #YES} is used for what each kernel does instead); JDK 18-24 were not
 * measured and are treated as 17. A class of its own, so that the kernels' static initialisers can
 * read it while {@link Simd} is still being initialised.
 */
final class FullC2 {
    private FullC2() {}

    static final boolean YES = Runtime.version().feature() >= 25;
}
