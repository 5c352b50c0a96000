using System;
using System.Collections.Generic;
using CityNode.NanoTwin;

namespace nanoFramework.Runtime.Native;

// upstream: nanoframework/nanoFramework.Runtime.Native nanoFramework.Runtime.Native/RebootOption.cs.
internal enum RebootOption
{
    NormalReboot = 0,
    EnterNanoBooter = 1,
    ClrOnly = 2,
    EnterProprietaryBooter = 8,
}

// upstream: nanoFramework.Runtime.Native/Power.cs RebootEventHandler.
internal delegate void RebootEventHandler();

/// <summary>Reboots: the handlers of OnRebootEvent run (their exceptions swallowed), then the CPU resets.</summary>
// upstream: nanoframework/nanoFramework.Runtime.Native nanoFramework.Runtime.Native/Power.cs; native: nf-interpreter
// src/nanoFramework.Runtime.Native/nf_rt_native_nanoFramework_Runtime_Native_Power.cpp (g_CLR_RT_ExecutionEngine.Reboot).
// Every option is a reset here: ClrOnly would restart the CLR without the ROM/bootloader, which the twin does not tell apart.
internal class Power
{
    private const string HandlersKey = "rt.onReboot";

    // upstream: Power.cs OnRebootEvent (a static event: per board here).
    public static event RebootEventHandler OnRebootEvent
    {
        add => Handlers(TwinBoard.Current).Add(value);
        remove => Handlers(TwinBoard.Current).Remove(value);
    }

    // upstream: Power.cs RebootDevice(RebootOption) → RebootDevice(-1, option).
    public static void RebootDevice(RebootOption rebootOption = RebootOption.NormalReboot) => RebootDevice(-1, rebootOption);

    // upstream: Power.cs RebootDevice(int, RebootOption): handlers in try/catch, NativeReboot in finally.
    public static void RebootDevice(int exeConstraintTimeout, RebootOption rebootOption = RebootOption.NormalReboot)
    {
        _ = exeConstraintTimeout;
        _ = rebootOption;
        var board = TwinBoard.Current;
        board.EnsureRunning();
        try
        {
            foreach (var handler in Handlers(board).ToArray())
            {
                handler();
            }
        }
        catch (Exception e) when (e is not CpuHaltedException)
        {
            // upstream: "Don't throw exceptions on event handlers"
        }

        board.Halt(HaltReason.Reboot); // returns with the CPU off (see Sleep.StartDeepSleep)
    }

    private static List<RebootEventHandler> Handlers(TwinBoard board)
    {
        if (!board.Ram.TryGetValue(HandlersKey, out var list))
        {
            board.Ram[HandlersKey] = list = new List<RebootEventHandler>();
        }

        return (List<RebootEventHandler>)list;
    }
}
