using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Switchboard.Server.Internal;

/// <summary>
/// Fails the start when a key under <c>Switchboard</c> is one that no registered <see cref="SwitchboardSettingsSection"/>
/// binds: <c>Switchboard:Auth:Secert</c> would otherwise be ignored and leave the server open. Runs with the
/// validation of <see cref="SwitchboardOptions"/>, so <c>serve</c> exits with code 2 and an application at start.
/// </summary>
internal sealed class UnknownSettingsValidator : IValidateOptions<SwitchboardOptions>
{
    private readonly IConfiguration? _configuration;
    private readonly IEnumerable<SwitchboardSettingsSection> _sections;

    public UnknownSettingsValidator(IServiceProvider services, IEnumerable<SwitchboardSettingsSection> sections)
    {
        // Optional: a host built without configuration (a bare ServiceCollection in a test rig) has no keys to check.
        _configuration = services.GetService<IConfiguration>();
        _sections = sections;
    }

    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        if (_configuration is null)
        {
            return ValidateOptionsResult.Success;
        }

        var known = new KnownSettings(_sections);
        var failures = _configuration.GetSection(SwitchboardOptions.SectionName).AsEnumerable()
            .Where(static pair => pair.Value is not null)
            .Select(pair => known.Check(pair.Key))
            .OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
