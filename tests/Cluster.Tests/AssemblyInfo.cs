// The embedded cluster and the external-broker silos are processes of their own on a two-core machine; their
// collections run one after the other, not beside each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
