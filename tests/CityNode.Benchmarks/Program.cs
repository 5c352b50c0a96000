using BenchmarkDotNet.Running;
using CityNode.Benchmarks;

// `load [--nodes N] [--duration D]`: the city-scale MQTT → PostgreSQL run; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "load")
{
    return LoadBenchmark.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
