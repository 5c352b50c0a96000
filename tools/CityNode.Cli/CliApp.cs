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
        ReleaseCommand.Create(),
        OtaCommand.Create(),
    };

    /// <summary>
    /// Spectre.Console's console for this run, on the current standard output (tests swap it
    /// between runs). Piped or redirected, it is wide enough that tables keep each row on one line
    /// (Spectre.Console assumes 80 columns without a terminal); COLUMNS, when set, still wins.
    /// </summary>
    private static void ConsoleForThisRun()
    {
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected && !int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out _))
        {
            console.Profile.Width = 400;
        }

        Spectre.Console.AnsiConsole.Console = console;
    }

    /// <summary>Runs a command line; unexpected failures become one line on stderr and exit code 70, not a stack trace.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            ConsoleForThisRun();
            var parse = Build().Parse(args);
            if (parse.Action is System.CommandLine.Help.HelpAction || parse.Errors.Count > 0)
            {
                // Help and parse errors in the user's terms (Options.Readable).
                var output = new StringWriter();
                var error = new StringWriter();
                int code = await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = error });
                await Console.Out.WriteAsync(Options.Readable(output.ToString()));
                await Console.Error.WriteAsync(Options.Readable(error.ToString()));
                return code;
            }

            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"citynode: internal error: {e.GetType().Name}: {e.Message}" +
                (Environment.GetEnvironmentVariable("CITYNODE_TRACE") == "1" ? Environment.NewLine + e : " (CITYNODE_TRACE=1 shows where)"));
            return 70;
        }
    }
}
