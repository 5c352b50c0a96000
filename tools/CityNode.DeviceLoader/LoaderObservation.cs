using System;
using System.Runtime.CompilerServices;
using CityNode.NanoTwin;

namespace CityNode.Loader;

/// <summary>
/// The host's body of the loader's observation hook (empty on the chip): the application object the loader
/// constructed, handed to whoever watches that board (the simulation's node) on the board's own thread, as
/// the program's start, and kept in the board's RAM for tests.
/// </summary>
public sealed partial class LoaderProgram
{
    private const string StartedKey = "loader.started-application";
    private static readonly ConditionalWeakTable<TwinBoard, Action<object>> Watchers = new();

    /// <summary>The application object the loader started this boot (the host build of NodeProgram), or null. Read it while the board is parked.</summary>
    public static object StartedOn(TwinBoard board) => board.Ram.TryGetValue(StartedKey, out var app) ? app : null; // null: none yet

    /// <summary>Calls <paramref name="started"/> with the application each time the loader of <paramref name="board"/> starts one.</summary>
    public static void Watch(TwinBoard board, Action<object> started) => Watchers.AddOrUpdate(board, started);

    partial void Observe(object app)
    {
        var board = TwinBoard.Current;
        board.Ram[StartedKey] = app;
        if (Watchers.TryGetValue(board, out var started))
        {
            started(app);
        }
    }
}
