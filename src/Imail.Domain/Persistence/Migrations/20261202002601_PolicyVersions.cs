using System;
using System.Collections.Generic;
using Imail.Domain.Policies;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PolicyVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "policy_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    effective_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    substantial = table.Column<bool>(type: "boolean", nullable: false),
                    lowers_privacy = table.Column<bool>(type: "boolean", nullable: false),
                    summary_fr = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    summary_nl = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    summary_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    text_fr = table.Column<string>(type: "character varying(32000)", maxLength: 32000, nullable: false),
                    text_nl = table.Column<string>(type: "character varying(32000)", maxLength: 32000, nullable: false),
                    text_en = table.Column<string>(type: "character varying(32000)", maxLength: 32000, nullable: false),
                    newly_allowed_purposes = table.Column<List<string>>(type: "text[]", nullable: false),
                    newly_allowed_scopes = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    takes_effect_event_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_policy_versions", x => x.id);
                    table.UniqueConstraint("ak_policy_versions_number", x => x.number);
                });

            migrationBuilder.CreateTable(
                name: "policy_decisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    policy_number = table.Column<string>(type: "character varying(32)", nullable: false),
                    decision = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    front_end = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_policy_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_policy_decisions_policy_versions_policy_number",
                        column: x => x.policy_number,
                        principalTable: "policy_versions",
                        principalColumn: "number",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_policy_decisions_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_policy_decisions_policy_number",
                table: "policy_decisions",
                column: "policy_number");

            migrationBuilder.CreateIndex(
                name: "ix_policy_decisions_user_id_policy_number_decided_at",
                table: "policy_decisions",
                columns: new[] { "user_id", "policy_number", "decided_at" });

            migrationBuilder.CreateIndex(
                name: "ix_policy_versions_takes_effect_due",
                table: "policy_versions",
                column: "effective_at",
                filter: "status = 'Published' AND takes_effect_event_at IS NULL");

            // Version 1.0, in effect before any account existed, so every decision and account has a version that
            // governs it. Its partner event is marked sent: partners subscribed after it.
            var first = FirstPolicyVersion.EffectiveAt;
            migrationBuilder.InsertData(
                table: "policy_versions",
                columns: ["id", "number", "status", "effective_at", "substantial", "lowers_privacy", "summary_fr", "summary_nl", "summary_en",
                    "text_fr", "text_nl", "text_en", "newly_allowed_purposes", "newly_allowed_scopes", "created_at", "updated_at", "published_at", "takes_effect_event_at"],
                values: [new Guid("01941f29-7c00-7000-8000-000000000001"), FirstPolicyVersion.Number, "Published", first, true, false,
                    FirstPolicyVersion.SummaryFr, FirstPolicyVersion.SummaryNl, FirstPolicyVersion.SummaryEn,
                    FirstPolicyVersion.TextFr, FirstPolicyVersion.TextNl, FirstPolicyVersion.TextEn,
                    new List<string>(), new List<string>(), first, first, first, first]);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "policy_decisions");

            migrationBuilder.DropTable(
                name: "policy_versions");
        }
    }
}
