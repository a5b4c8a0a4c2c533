using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Incidents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "incidents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    aware_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    declared_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    declared_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    summary_fr = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    summary_nl = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    summary_en = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    categories = table.Column<List<string>>(type: "text[]", nullable: false),
                    selector = table.Column<string>(type: "jsonb", nullable: false),
                    notify_partners = table.Column<bool>(type: "boolean", nullable: false),
                    recipient_count = table.Column<int>(type: "integer", nullable: false),
                    authority_notified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    authority_notification_means = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    authority_delay_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    authority_not_required_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incidents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "incident_recipients",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    notified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    categories = table.Column<List<string>>(type: "text[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_recipients", x => new { x.incident_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_incident_recipients_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_incident_recipients_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_steps",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    recipients = table.Column<int>(type: "integer", nullable: true),
                    text_fr = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    text_nl = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    text_en = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    note = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_steps", x => x.id);
                    table.ForeignKey(
                        name: "fk_incident_steps_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_incident_recipients_user_id",
                table: "incident_recipients",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_incident_steps_incident_id_sequence",
                table: "incident_steps",
                columns: new[] { "incident_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_incidents_declared_at",
                table: "incidents",
                column: "declared_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "incident_recipients");

            migrationBuilder.DropTable(
                name: "incident_steps");

            migrationBuilder.DropTable(
                name: "incidents");
        }
    }
}
