using CityNode.Config;
using CityNode.Host.Reports;

namespace CityNode.Cli.Commands;

/// <summary>Placeholder until the receiver database exists: see issue 8.</summary>
internal static class EnergyCalibration
{
    public static int Print(string database, BoardProfile board, EnergyReport.Workload workload, int capacity, bool json)
    {
        Console.Error.WriteLine("energy: --from needs a receiver database; not available in this build");
        return 1;
    }
}
