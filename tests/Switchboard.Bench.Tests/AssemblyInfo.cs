// The classes of this project run one after the other: the allocation tests wake 10,000 writers per publication and
// block a thread while they drain, which on a 2-core machine starves the thread pool that the bench modes' clients and
// servers share in this process (first requests stalled for seconds), and a bench run must not measure another test.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
