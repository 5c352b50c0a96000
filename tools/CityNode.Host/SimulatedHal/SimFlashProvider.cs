using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>A simulated node's flash regions by name; they outlive resets, as flash does.</summary>
public sealed class SimFlashProvider(int seed) : IFlashProvider
{
    private readonly Dictionary<string, SimFlash> _regions = new();

    public IFlash Open(string name, int sectorSize, int sectorCount)
    {
        if (!_regions.TryGetValue(name, out var flash))
        {
            flash = new SimFlash(sectorSize, sectorCount, seed: seed + (name.Length * 7919) + name[0]);
            _regions[name] = flash;
        }

        return flash;
    }

    public SimFlash this[string name] => _regions[name];
}
