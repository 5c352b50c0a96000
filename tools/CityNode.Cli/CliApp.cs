using System.CommandLine;
using CityNode.Cli.Commands;

namespace CityNode.Cli;

/// <summary>The <c>citynode</c> command tree (built here so tests can run verbs in-process).</summary>
public static class CliApp
{
    public static RootCommand Build() => new("citynode — simulate, receive, decode and provision CityNode sensor nodes")
    {
        SimulateCommand.Create(),
        CodecReportCommand.Create(),
        DecodeCommand.Create(),
        PayloadVectorsCommand.Create(),
        StorageReportCommand.Create(),
        EnergyCommand.Create(),
        ReceiveCommand.Create(),
        ExportCommand.Create(),
        ProvisionCommand.Create(),
        ConfigureCommand.Create(),
        ServeCommand.Create(),
    };

    /// <summary>Runs a command line; unexpected failures become one line on stderr and exit code 70, not a stack trace.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await Build().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"citynode: internal error: {e.GetType().Name}: {e.Message}" +
                (Environment.GetEnvironmentVariable("CITYNODE_TRACE") == "1" ? Environment.NewLine + e : " (CITYNODE_TRACE=1 shows where)"));
            return 70;
        }
    }
}
