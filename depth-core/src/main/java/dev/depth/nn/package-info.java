/**
 * Neural-network building blocks: {@link dev.depth.nn.Module} and {@link dev.depth.nn.Sequential},
 * layers (Linear, Conv2d, pooling, normalisation, Embedding, Dropout, activations), losses and
 * the functional forms in {@link dev.depth.nn.F}, initialisers in {@link dev.depth.nn.Init}
 * (Glorot and Bengio 2010; He et al. 2015), and the reference models of the benchmark workloads
 * in {@link dev.depth.nn.Models}. Names and defaults follow PyTorch's.
 */
package dev.depth.nn;
