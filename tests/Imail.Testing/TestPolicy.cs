using Imail.Domain.Policies;

namespace Imail.Testing;

/// <summary>The policy version tests name: decisions must name a published one (P13), and the migration publishes this one.</summary>
public static class TestPolicy
{
    public const string Version = FirstPolicyVersion.Number;
}
