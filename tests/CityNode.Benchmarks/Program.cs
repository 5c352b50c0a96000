using BenchmarkDotNet.Running;
using CityNode.Benchmarks;

// `load [--nodes N] [--duration D]`: the city-scale MQTT → PostgreSQL run; `fuzz`: see below; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "load")
{
    return LoadBenchmark.Run(args[1..]);
}

// `serve-queries [--nodes N]`: serve's latest values and 7-day series over the load run's hour in PostgreSQL (issue 17).
if (args.Length > 0 && args[0] == "serve-queries")
{
    return ServeBenchmark.Run(args[1..]);
}

// `fuzz [--target decoder|config|both] [--count N] [--seed S]`: the long fuzzing run.
if (args.Length > 0 && args[0] == "fuzz")
{
    return FuzzRun.Run(args[1..]);
}

// `device-cost [--json] [--quick]`: IL and flash operations the node costs on the ESP32 (issue 20, docs/device-budget.md).
if (args.Length > 0 && args[0] == "device-cost")
{
    return CityNode.Benchmarks.DeviceCost.DeviceCostRun.Run(args[1..]);
}

// `ota-cost`: IL of the OTA core (SHA-256 per KB, manifest HMAC, chunk, verify), the Ed25519/ECDSA estimate, one boot of the loader image and the .pe size estimate (docs/ota.md).
if (args.Length > 0 && args[0] == "ota-cost")
{
    lock (CityNode.Host.DeviceCost.InstrumentedContext.Gate)
    {
        Console.Write(CityNode.Host.DeviceCost.InstrumentedContext.Shared.Invoke(typeof(CityNode.Host.Ota.OtaCost), nameof(CityNode.Host.Ota.OtaCost.Entry), string.Join('\n', args[1..])));
    }

    return 0;
}

// `decoders [--batches N]`: readings/s of the Python and JavaScript reference decoders against the C# decoder (docs/payload.md).
if (args.Length > 0 && args[0] == "decoders")
{
    return DecoderSpeed.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
