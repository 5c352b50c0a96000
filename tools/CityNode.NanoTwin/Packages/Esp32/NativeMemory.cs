using System;
using CityNode.NanoTwin;

namespace nanoFramework.Hardware.Esp32;

/// <summary>
/// The native (ESP-IDF) heap, not the managed one. Figures of an ESP32-WROOM without PSRAM running
/// nanoFramework with Wi-Fi, as reported in nanoframework/Home#919 (firmware 1.7.3-preview.114):
/// internal total 231 808, free 48 156, largest free block 32 768 bytes. All = Internal without PSRAM;
/// SpiRam = 0. A test may override them per boot with board.Ram["esp32.heap"] = (total, free, largest).
/// </summary>
// upstream: nanoframework/nanoFramework.Hardware.Esp32 nanoFramework.Hardware.Esp32/NativeMemory.cs; native: nf-interpreter
// targets/ESP32/_nanoCLR/nanoFramework.Hardware.ESP32/nanoFramework_hardware_esp32_native_Hardware_Esp32_NativeMemory.cpp
// (heap_caps_get_total_size / _free_size / _largest_free_block with MALLOC_CAP_8BIT | 32BIT [| INTERNAL | SPIRAM])
internal class NativeMemory
{
    // upstream: NativeMemory.cs MemoryType.
    public enum MemoryType
    {
        All,
        Internal,
        SpiRam,
    }

    // upstream: NativeMemory.cs GetMemoryInfo (three native calls).
    public static void GetMemoryInfo(MemoryType memType, out uint totalSize, out uint totalFreeSize, out uint largestFreeBlock)
    {
        var board = TwinBoard.Current;
        board.EnsureRunning();
        var heap = board.Ram.TryGetValue("esp32.heap", out var h) ? ((uint, uint, uint))h : (231_808u, 48_156u, 32_768u);
        (totalSize, totalFreeSize, largestFreeBlock) = memType == MemoryType.SpiRam ? (0u, 0u, 0u) : heap;
    }
}
