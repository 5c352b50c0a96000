using CityNode.NanoTwin;

namespace CityNode.Loader;

/// <summary>The host's body of the loader's observation hook (empty on the chip): the application it started, kept in the board's RAM for the simulation to read.</summary>
public sealed partial class LoaderProgram
{
    private const string StartedKey = "loader.started-application";

    /// <summary>The application object the loader started this boot (the host build of NodeProgram), or null.</summary>
    public static object StartedOn(TwinBoard board) => board.Ram.TryGetValue(StartedKey, out var app) ? app : null; // null: none yet

    partial void Observe(object app) => TwinBoard.Current.Ram[StartedKey] = app;
}
