namespace CityNode.Host.Simulation;

/// <summary>A snapshot for the live display.</summary>
public sealed record SimulationProgress(
    int Nodes,
    double Fraction,
    long SimulatedSeconds,
    long Batches,
    long Delivered,
    long PayloadBytes,
    long Retries,
    int BatteryMillivolts);
