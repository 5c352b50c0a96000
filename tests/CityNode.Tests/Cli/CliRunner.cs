using CityNode.Cli;
using Xunit;

namespace CityNode.Tests.Cli;

/// <summary>CLI tests swap the process-wide console, so they never run in parallel with each other.</summary>
[CollectionDefinition("cli", DisableParallelization = true)]
public sealed class CliCollection
{
}

public static class CliRunner
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        await Gate.WaitAsync();
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        var o = new StringWriter();
        var e = new StringWriter();
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            int exit = await CliApp.RunAsync(args);
            return (exit, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Gate.Release();
        }
    }
}
