using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;
using CityNode.Host.Provisioning;

namespace CityNode.Cli.Commands;

/// <summary>
/// <c>--name</c>, <c>--location</c> and <c>--registry</c> for <c>provision</c> and <c>configure</c>: a node's
/// name and place go to the operator's registry (<see cref="NodeRegistry"/>, read by <c>serve</c>),
/// not to the node. The registry is written only when the command's own work succeeded; <c>configure</c>
/// given only --name/--location changes the registry and needs neither a broker nor settings.
/// </summary>
internal static class NodeRegistryOptions
{
    public static void AttachTo(Command command, string nodeOption)
    {
        var name = new Option<string?>("--name") { Description = "the node's name for people, e.g. \"Union Street lamp post 12\" (kept in the registry, not on the node)" };
        var location = new Option<string?>("--location") { Description = "where the node stands: LATITUDE,LONGITUDE[,street or site] in WGS 84 decimal degrees (kept in the registry)" };
        var registry = new Option<string>("--registry") { Description = "the node registry file serve reads", DefaultValueFactory = _ => NodeRegistry.DefaultFileName };
        command.Options.Add(name);
        command.Options.Add(location);
        command.Options.Add(registry);

        // configure: --broker becomes optional when only the registry changes (no broker: nothing is sent to the node).
        var broker = command.Options.FirstOrDefault(o => o.Name == "--broker" && o.Required);
        if (broker is not null)
        {
            broker.Required = false;
            command.Validators.Add(r =>
            {
                if (r.GetResult(broker) is null && r.GetValue(name) is null && r.GetValue(location) is null)
                {
                    r.AddError("Option '--broker' is required (or give only --name/--location to change the node registry).");
                }
            });

            // Settings the command requires are required only when something is sent to the node.
            if (command.Arguments.FirstOrDefault(a => a.Name == "settings" && a.Arity.MinimumNumberOfValues > 0) is { } settings)
            {
                settings.Arity = ArgumentArity.ZeroOrMore;
                command.Validators.Add(r =>
                {
                    if (r.GetResult(broker) is not null && r.GetResult(settings) is not { Tokens.Count: > 0 })
                    {
                        r.AddError("Required argument missing for command: 'configure' (KEY=VALUE settings).");
                    }
                });
            }
        }

        var inner = command.Action!;
        command.SetAction(async (parse, ct) =>
        {
            string? newName = parse.GetValue(name);
            string? place = parse.GetValue(location);
            if (newName is null && place is null)
            {
                return await Run(inner, parse, ct);
            }

            string verb = command.Name;
            string path = parse.GetValue(registry)!;
            NodeRegistry reg;
            uint id;
            try
            {
                string idText = parse.GetResult(command.Options.First(o => o.Name == nodeOption))?.Tokens.FirstOrDefault()?.Value ?? "";
                if (!uint.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out id) || id == 0)
                {
                    throw new FormatException($"{nodeOption} '{idText}': a number from {ConfigKeyTable.NodeIdRange}");
                }

                reg = NodeRegistry.Load(path);
                reg.Set(id, newName, place is null ? null : NodeLocation.Parse(place));
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"{verb}: {e.Message}");
                return 1;
            }

            bool registryOnly = broker is not null && parse.GetResult(broker) is null;
            int code = registryOnly ? 0 : await Run(inner, parse, ct);
            if (code == 0)
            {
                reg.Save(path);
                await Console.Out.WriteLineAsync($"{verb}: node {id} in {path}: " + string.Join(", ", new[] { newName is null ? null : $"name '{newName}'", place is null ? null : $"location {place}" }.Where(s => s is not null)));
            }

            return code;
        });
    }

    private static Task<int> Run(CommandLineAction action, ParseResult parse, CancellationToken ct) => action switch
    {
        AsynchronousCommandLineAction a => a.InvokeAsync(parse, ct),
        SynchronousCommandLineAction s => Task.FromResult(s.Invoke(parse)),
        _ => throw new InvalidOperationException("unknown action kind"),
    };
}
