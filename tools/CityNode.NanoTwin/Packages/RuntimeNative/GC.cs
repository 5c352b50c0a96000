using CityNode.NanoTwin;

namespace nanoFramework.Runtime.Native;

/// <summary>
/// The managed heap's collector. Run(false) is already a full mark-and-sweep of the whole heap
/// (nanoFramework's collector is not generational); Run(true) compacts as well. The ESP32 managed heap is
/// about 111 KB (nf-interpreter PR #1597). The twin cannot see the program's allocations: the free figure is
/// the heap minus <see cref="DefaultUsedBytes"/> (an estimate), or minus board.Ram["rt.heapUsed"] (int) when set.
/// </summary>
// upstream: nanoframework/nanoFramework.Runtime.Native nanoFramework.Runtime.Native/GC.cs; native: nf-interpreter
// src/nanoFramework.Runtime.Native/nf_rt_native_nanoFramework_Runtime_Native_GC.cpp (PerformGarbageCollection, then PerformHeapCompaction if asked).
internal static class GC
{
    public const int HeapBytes = 111 * 1024;

    public const int DefaultUsedBytes = 40 * 1024;

    /// <summary>One mark-and-sweep: nanoframework/Home#290's trace shows "GC: 1msec 8424 bytes used, 375804 bytes available" (a 2018 build,
    /// board not stated, 3× the ESP32's heap): 1 ms, an upper-side estimate for ~111 KB.</summary>
    public const int CollectMicros = 1000;

    /// <summary>Heap compaction moves every live block and fixes references: several times a sweep (an estimate).</summary>
    public const int CompactMicros = 4000;

    // native: Run___STATIC__U4__BOOLEAN: returns the free bytes after the collection.
    public static uint Run(bool compactHeap)
    {
        var board = TwinBoard.Current;
        board.Busy(CollectMicros + (compactHeap ? CompactMicros : 0));
        int used = board.Ram.TryGetValue("rt.heapUsed", out var u) ? (int)u : DefaultUsedBytes;
        return (uint)System.Math.Max(0, HeapBytes - used);
    }

    // native: EnableGCMessages___STATIC__VOID__BOOLEAN: only with NANOCLR_TRACE_MEMORY_STATS, which release builds lack.
    public static void EnableGCMessages(bool enable)
    {
        _ = enable;
        TwinBoard.Current.EnsureRunning();
    }
}
